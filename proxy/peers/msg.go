package peers

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Message classes (the first byte of a message).
const (
	ClassControl    = 0
	ClassError      = 1
	ClassStickTable = 10
	ClassReserved   = 255
)

// Control messages (class 0).
const (
	CtrlResyncReq      = 0
	CtrlResyncFinished = 1
	CtrlResyncPartial  = 2
	CtrlResyncConfirm  = 3
	CtrlHeartbeat      = 4
)

// Error messages (class 1).
const (
	ErrProtocol  = 0
	ErrSizeLimit = 1
)

// Stick-table messages (class 10); bit 7 of the type says a varint
// length and a payload follow.
const (
	StktUpdate         = 0x80
	StktIncUpdate      = 0x81
	StktDefine         = 0x82
	StktSwitch         = 0x83
	StktAck            = 0x84
	StktUpdateTimed    = 0x85
	StktIncUpdateTimed = 0x86
)

// MaxMessage bounds a message's payload: HAProxy's default bufsize,
// beyond which it answers a size-limit error.
const MaxMessage = 16384

// Frame is one binary message: its class, its type and, for types with
// bit 7 set, its payload.
type Frame struct {
	Class, Type byte
	Payload     []byte
}

// hasPayload reports whether a message type carries a length and a
// payload.
func hasPayload(typ byte) bool { return typ&0x80 != 0 }

// errTooBig is a message announcing a payload beyond MaxMessage.
var errTooBig = errors.New("peers: message too long")

// AppendFrame appends f as it goes on the wire.
func AppendFrame(b []byte, f Frame) []byte {
	b = append(b, f.Class, f.Type)
	if !hasPayload(f.Type) {
		return b
	}
	b = appendVarint(b, uint64(len(f.Payload)))
	return append(b, f.Payload...)
}

// ReadFrame reads one message from r; a payload longer than max is
// errTooBig (nothing more is read).
func ReadFrame(r *bufio.Reader, max int) (Frame, error) {
	var head [2]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return Frame{}, err
	}
	f := Frame{Class: head[0], Type: head[1]}
	if !hasPayload(f.Type) {
		return f, nil
	}
	var lb [maxVarintLen]byte
	n := 0
	for {
		c, err := r.ReadByte()
		if err != nil {
			return f, err
		}
		lb[n] = c
		n++
		if (n == 1 && c < 240) || (n > 1 && c < 128) {
			break
		}
		if n == 5 { // HAProxy's PEER_MSG_ENC_LENGTH_MAXLEN
			return f, fmt.Errorf("peers: message length of more than 5 bytes")
		}
	}
	l, _, err := readVarint(lb[:n])
	if err != nil {
		return f, err
	}
	if l > uint64(max) {
		return f, fmt.Errorf("%w: %d bytes (max %d)", errTooBig, l, max)
	}
	f.Payload = make([]byte, l)
	_, err = io.ReadFull(r, f.Payload)
	return f, err
}

// TableDef is a table definition message: the sender's id for the
// table, its name, key type (wire code) and size, the stored data types
// (bit n for stick.DataType n), the expire in ms and, per data type that
// takes them, the array length and the period.
type TableDef struct {
	ID      uint64
	Name    string
	KeyType uint64
	KeySize uint64
	Data    uint64
	Expire  uint64
	// NoParams is a definition from a 1.x/2.0 peer: no expire, no
	// parameters.
	NoParams bool
	Params   [64]DataParams
}

// DataParams are a stored data type's parameters in a definition.
type DataParams struct {
	Elems  uint64 // array length (arrays only)
	Period uint64 // rate period in ms (rates only)
}

// Wire key types (HAProxy's PEER_KT_*).
const (
	KeySInt = 2
	KeyIPv4 = 4
	KeyIPv6 = 5
	KeyStr  = 6
	KeyBin  = 7
)

// Encode returns the definition as a message.
func (d *TableDef) Encode() Frame {
	b := appendVarint(nil, d.ID)
	b = appendVarint(b, uint64(len(d.Name)))
	b = append(b, d.Name...)
	b = appendVarint(b, d.KeyType)
	b = appendVarint(b, d.KeySize)
	b = appendVarint(b, d.Data)
	if d.NoParams {
		return Frame{ClassStickTable, StktDefine, b}
	}
	b = appendVarint(b, d.Expire)
	for t := 0; t < len(stdTypes) && t < 64; t++ {
		if d.Data&(1<<t) == 0 {
			continue
		}
		st := stdTypes[t]
		if !st.array && st.std != stdFrqp {
			continue
		}
		b = appendVarint(b, uint64(t))
		if st.array {
			b = appendVarint(b, d.Params[t].Elems)
		}
		if st.std == stdFrqp {
			b = appendVarint(b, d.Params[t].Period)
		}
	}
	return Frame{ClassStickTable, StktDefine, b}
}

// DecodeTableDef reads a definition's payload. Data types beyond those
// of HAProxy 2.6, or a parameter list not matching the bitfield, are
// errors (HAProxy ignores such a table; goha closes the session).
func DecodeTableDef(p []byte) (*TableDef, error) {
	r := &reader{b: p}
	d := &TableDef{ID: r.varint()}
	d.Name = string(r.bytes(r.varint()))
	d.KeyType, d.KeySize, d.Data = r.varint(), r.varint(), r.varint()
	if r.err != nil {
		return nil, fmt.Errorf("table definition: %w", r.err)
	}
	if d.Name == "" {
		return nil, errors.New("table definition: empty table name")
	}
	if len(r.b) == 0 {
		d.NoParams = true
		for t := range stdTypes {
			if d.Data&(1<<t) != 0 && stdTypes[t].array {
				return nil, fmt.Errorf("table definition %q: array data type %d without parameters", d.Name, t)
			}
		}
		return d, nil
	}
	d.Expire = r.varint()
	if d.Data>>len(stdTypes) != 0 {
		return nil, fmt.Errorf("table definition %q: unknown data types in 0x%x", d.Name, d.Data)
	}
	for t := range stdTypes {
		st := stdTypes[t]
		if d.Data&(1<<t) == 0 || (!st.array && st.std != stdFrqp) {
			continue
		}
		if got := r.varint(); r.err == nil && got != uint64(t) {
			return nil, fmt.Errorf("table definition %q: parameters of data type %d where %d was expected", d.Name, got, t)
		}
		if st.array {
			d.Params[t].Elems = r.varint()
			if r.err == nil && (d.Params[t].Elems == 0 || d.Params[t].Elems > maxArray) {
				return nil, fmt.Errorf("table definition %q: array of %d elements", d.Name, d.Params[t].Elems)
			}
		}
		if st.std == stdFrqp {
			d.Params[t].Period = r.varint()
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("table definition %q: %w", d.Name, r.err)
	}
	return d, nil
}

// maxArray is HAProxy's STKTABLE_MAX_DT_ARRAY_SIZE.
const maxArray = 100

// Ack is an acknowledgement: the receiver's id of the table (the id the
// sender gave in its definition) and the last update received.
type Ack struct {
	TableID uint64
	Update  uint32
}

// Encode returns the acknowledgement as a message.
func (a Ack) Encode() Frame {
	return Frame{ClassStickTable, StktAck, appendU32(appendVarint(nil, a.TableID), a.Update)}
}

// DecodeAck reads an acknowledgement's payload.
func DecodeAck(p []byte) (Ack, error) {
	r := &reader{b: p}
	a := Ack{TableID: r.varint(), Update: r.u32()}
	if r.err != nil {
		return a, fmt.Errorf("ack: %w", r.err)
	}
	return a, nil
}

// EncodeSwitch returns a switch message to the table of id.
func EncodeSwitch(id uint64) Frame {
	return Frame{ClassStickTable, StktSwitch, appendVarint(nil, id)}
}

// DecodeSwitch reads a switch message's payload.
func DecodeSwitch(p []byte) (uint64, error) {
	r := &reader{b: p}
	id := r.varint()
	if r.err != nil {
		return 0, fmt.Errorf("switch: %w", r.err)
	}
	return id, nil
}

// Control returns a control message.
func Control(typ byte) Frame { return Frame{Class: ClassControl, Type: typ} }
