package worker

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/ssl"
)

// TicketKeys are the TLS session-ticket keys a master shares with all its
// workers, so a session any of them started resumes on any other, and on
// the workers of later generations. They follow HAProxy's scheme with 3
// keys: [0] is the oldest, [1] encrypts new tickets, [2] is the next one.
// Every key decrypts. A rotation drops the oldest and adds a fresh next
// key: a worker that has not seen a rotation yet still accepts the
// tickets of one that has (its "next" key is their new encrypting key),
// and a ticket stays valid for one to two rotation intervals.
//
// They are key material: String and GoString never show them, and they
// travel only through a worker's handoff memfd and its private IPC
// socketpair (and the master's sealed re-exec memfd), never the CLI.
type TicketKeys [3][32]byte

// ticketKeysLen is the size of the encoded keys.
const ticketKeysLen = 3 * 32

// MsgTicketKeys is the master's message carrying rotated keys to a
// running worker: a memfd holding them is attached (the message text,
// which may end up in errors and logs, holds none).
const MsgTicketKeys = "tls-ticket-keys"

// NewTicketKeys returns three fresh random keys.
func NewTicketKeys() (*TicketKeys, error) {
	var k TicketKeys
	for i := range k {
		if _, err := rand.Read(k[i][:]); err != nil {
			return nil, fmt.Errorf("generate TLS ticket keys: %w", err)
		}
	}
	return &k, nil
}

// Rotate returns the keys after one rotation: the encrypting key becomes
// the oldest, the next one encrypts, and a fresh random key is next.
func (k *TicketKeys) Rotate() (*TicketKeys, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, fmt.Errorf("generate a TLS ticket key: %w", err)
	}
	return &TicketKeys{k[1], k[2], fresh}, nil
}

// ForTLS returns the keys in crypto/tls's order: the encrypting one
// first, then the others (all decrypt).
func (k *TicketKeys) ForTLS() [][32]byte { return [][32]byte{k[1], k[0], k[2]} }

// String hides the keys.
func (k TicketKeys) String() string { return "TicketKeys(3 keys, redacted)" }

// GoString hides the keys from %#v.
func (k TicketKeys) GoString() string { return k.String() }

// MarshalJSON encodes the keys as one base64 string.
func (k TicketKeys) MarshalJSON() ([]byte, error) {
	return json.Marshal(base64.StdEncoding.EncodeToString(k.bytes()))
}

// UnmarshalJSON decodes and checks the keys (DecodeTicketKeys).
func (k *TicketKeys) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return errors.New("TLS ticket keys: not a string")
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return errors.New("TLS ticket keys: not base64")
	}
	got, err := DecodeTicketKeys(raw)
	if err != nil {
		return err
	}
	*k = *got
	return nil
}

func (k *TicketKeys) bytes() []byte {
	return bytes.Join([][]byte{k[0][:], k[1][:], k[2][:]}, nil)
}

// DecodeTicketKeys reads 96 bytes of keys and refuses what would weaken
// or break resumption: another size, an all-zero key, a key twice. Its
// errors never quote the material.
func DecodeTicketKeys(raw []byte) (*TicketKeys, error) {
	if len(raw) != ticketKeysLen {
		return nil, fmt.Errorf("TLS ticket keys: %d bytes, want %d", len(raw), ticketKeysLen)
	}
	var k TicketKeys
	var zero [32]byte
	for i := range k {
		copy(k[i][:], raw[i*32:])
		if k[i] == zero {
			return nil, fmt.Errorf("TLS ticket keys: key %d is all zeros", i)
		}
		for j := 0; j < i; j++ {
			if k[j] == k[i] {
				return nil, fmt.Errorf("TLS ticket keys: keys %d and %d are the same", j, i)
			}
		}
	}
	return &k, nil
}

// SendTicketKeys hands rotated keys to a running worker over its IPC
// socket, in a memfd (within ctx).
func SendTicketKeys(ctx context.Context, ipc *os.File, k *TicketKeys) error {
	f, err := memfdWith("goha-tls-ticket-keys", k.bytes())
	if err != nil {
		return err
	}
	defer f.Close()
	return SendMsg(ctx, ipc, MsgTicketKeys, f)
}

// readTicketKeys reads the keys of a MsgTicketKeys memfd.
func readTicketKeys(f *os.File) (*TicketKeys, error) {
	raw, err := io.ReadAll(io.NewSectionReader(f, 0, ticketKeysLen+1))
	if err != nil {
		return nil, fmt.Errorf("read TLS ticket keys: %w", err)
	}
	return DecodeTicketKeys(raw)
}

// ApplyTicketKeys gives k to every ssl bind of b, except those with a
// `tls-ticket-keys` file: the file's keys are the configured ones, as in
// HAProxy. Binds with `no-tls-tickets` keep issuing none.
func ApplyTicketKeys(b *ssl.Built, k *TicketKeys) {
	if b == nil || k == nil {
		return
	}
	keys := k.ForTLS()
	for bd, tb := range b.Binds {
		if ownKeys(bd) {
			continue
		}
		tb.SetTicketKeys(keys)
	}
}

// ownKeys reports whether a bind reads its ticket keys from a file.
func ownKeys(bd *config.Bind) bool { return bd.TLS.TicketKeys != "" }

// takeTicketKeys reads a MsgTicketKeys memfd, closes it and gives the
// keys to apply; malformed keys are dropped (the worker keeps its own).
func takeTicketKeys(f *os.File, apply func(*TicketKeys)) {
	k, err := readTicketKeys(f)
	f.Close()
	if err == nil && apply != nil {
		apply(k)
	}
}
