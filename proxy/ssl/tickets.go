package ssl

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// ticketKeysMin is HAProxy's TLS_TICKETS_NO: the keys a file must hold
// at least, and how many of its last ones are used.
const ticketKeysMin = 3

// ParseTicketKeys reads a `tls-ticket-keys` file: one base64 key per
// line, 48 bytes (AES-128) or 80 bytes (AES-256), all of the first
// key's size, at least 3. As in HAProxy, the last 3 keys decrypt and
// the penultimate one encrypts; the result is in crypto/tls's order
// (encrypting key first). Each HAProxy key becomes a crypto/tls key by
// SHA-256 (tickets are not meant to be read by another implementation).
// name is the file name for errors.
func ParseTicketKeys(name string, data []byte) ([][32]byte, error) {
	var raw [][]byte
	for i, l := range bytes.Split(data, []byte("\n")) {
		l = bytes.TrimRight(l, "\r")
		if len(l) == 0 {
			continue
		}
		k, err := base64.StdEncoding.DecodeString(string(l))
		if err != nil {
			return nil, fmt.Errorf("'%s' : unable to decode base64 key on line %d", name, i+1)
		}
		if (len(k) != 48 && len(k) != 80) || (len(raw) > 0 && len(k) != len(raw[0])) {
			return nil, fmt.Errorf("'%s' : wrong sized key on line %d", name, i+1)
		}
		raw = append(raw, k)
	}
	if len(raw) < ticketKeysMin {
		return nil, fmt.Errorf("'%s' : please supply at least %d keys in the tls-tickets-file", name, ticketKeysMin)
	}
	last := raw[len(raw)-ticketKeysMin:]
	order := [][]byte{last[1], last[2], last[0]}
	out := make([][32]byte, len(order))
	for i, k := range order {
		out[i] = sha256.Sum256(k)
	}
	return out, nil
}

// LoadTicketKeys reads and parses a `tls-ticket-keys` file.
func LoadTicketKeys(files Files, path string) ([][32]byte, error) {
	data, err := files.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("'%s' : unable to load ssl tickets keys file", path)
	}
	return ParseTicketKeys(path, data)
}
