package peers

import (
	"fmt"

	"github.com/goha/goha/proxy/stick"
)

// std is how a data type travels (HAProxy's std_type).
type std int

const (
	stdSint std = iota // signed 32 bits, sent sign-extended to 64
	stdUint            // unsigned 32 bits
	stdUll             // unsigned 64 bits
	stdFrqp            // a rate: age of the period's start, current, previous
	stdDict            // a string through the session's dictionary cache
)

// stdType is one data type's wire shape; local types (conn_cur) are
// sent but never applied, as in HAProxy.
type stdType struct {
	std   std
	array bool
	local bool
}

// stdTypes is indexed by stick.DataType (HAProxy 2.6's enum order, which
// is also the bit order of a definition's data types).
var stdTypes = [...]stdType{
	stick.ServerID: {std: stdSint}, stick.GPT0: {std: stdUint}, stick.GPC0: {std: stdUint},
	stick.GPC0Rate: {std: stdFrqp}, stick.ConnCnt: {std: stdUint}, stick.ConnRate: {std: stdFrqp},
	stick.ConnCur: {std: stdUint, local: true}, stick.SessCnt: {std: stdUint}, stick.SessRate: {std: stdFrqp},
	stick.HTTPReqCnt: {std: stdUint}, stick.HTTPReqRate: {std: stdFrqp}, stick.HTTPErrCnt: {std: stdUint},
	stick.HTTPErrRate: {std: stdFrqp}, stick.BytesInCnt: {std: stdUll}, stick.BytesInRate: {std: stdFrqp},
	stick.BytesOutCnt: {std: stdUll}, stick.BytesOutRate: {std: stdFrqp}, stick.GPC1: {std: stdUint},
	stick.GPC1Rate: {std: stdFrqp}, stick.ServerKey: {std: stdDict}, stick.HTTPFailCnt: {std: stdUint},
	stick.HTTPFailRate: {std: stdFrqp}, stick.GPT: {std: stdUint, array: true}, stick.GPC: {std: stdUint, array: true},
	stick.GPCRate: {std: stdFrqp, array: true},
}

// Layout is what encoding an entry needs: the key's wire type and size
// and the data types carried with their element counts (from the local
// table to send, from the remote definition to receive).
type Layout struct {
	KeyType uint64
	KeySize int
	Data    uint64
	Elems   [len(stdTypes)]int
}

// UpdateMsg is an entry update: the update id (when sent: UPDATE
// messages; INCUPDATE ones mean "previous id plus one"), the ms left
// before expiry (timed messages), the key as on the wire and the values
// in data type order.
type UpdateMsg struct {
	HasID  bool
	ID     uint32
	Timed  bool
	Expire uint32
	Key    []byte
	Values []stick.Value
}

// msgType returns the update's message type.
func (u *UpdateMsg) msgType() byte {
	switch {
	case u.Timed && u.HasID:
		return StktUpdateTimed
	case u.Timed:
		return StktIncUpdateTimed
	case u.HasID:
		return StktUpdate
	}
	return StktIncUpdate
}

// txDict is the sending half of a session's dictionary cache: a value
// already sent is sent again by its id alone.
type txDict struct {
	ids  map[string]int
	vals [dictSize]string
	next int
}

// rxDict is the receiving half: the values by id.
type rxDict [dictSize]string

// dictSize is HAProxy's PEER_STKT_CACHE_MAX_ENTRIES.
const dictSize = 128

// EncodeUpdate returns the update as a message in layout l; now is the
// table clock (rates carry the age of their period).
func EncodeUpdate(u *UpdateMsg, l *Layout, dict *txDict, now uint32) Frame {
	var b []byte
	if u.HasID {
		b = appendU32(b, u.ID)
	}
	if u.Timed {
		b = appendU32(b, u.Expire)
	}
	if l.KeyType == KeyStr {
		b = appendVarint(b, uint64(len(u.Key)))
	}
	b = append(b, u.Key...)
	vals := indexValues(u.Values)
	for t := range stdTypes {
		if l.Data&(1<<t) == 0 {
			continue
		}
		n := 1
		if stdTypes[t].array {
			n = l.Elems[t]
		}
		for i := 0; i < n; i++ {
			b = appendValue(b, stdTypes[t].std, vals[valueKey{t, i}], dict, now)
		}
	}
	return Frame{ClassStickTable, u.msgType(), b}
}

// valueKey locates a value: data type and element.
type valueKey struct{ t, i int }

func indexValues(vs []stick.Value) map[valueKey]stick.Value {
	m := make(map[valueKey]stick.Value, len(vs))
	for _, v := range vs {
		m[valueKey{int(v.Type), v.Idx}] = v
	}
	return m
}

// appendValue appends one element.
func appendValue(b []byte, s std, v stick.Value, dict *txDict, now uint32) []byte {
	switch s {
	case stdSint:
		return appendVarint(b, uint64(int64(int32(uint32(v.Num)))))
	case stdUint:
		return appendVarint(b, uint64(uint32(v.Num)))
	case stdUll:
		return appendVarint(b, v.Num)
	case stdFrqp:
		b = appendVarint(b, uint64(now-v.Freq.Tick))
		b = appendVarint(b, uint64(v.Freq.Curr))
		return appendVarint(b, uint64(v.Freq.Prev))
	}
	return appendDict(b, v.Str, dict)
}

// appendDict appends a string through the dictionary cache: the id
// alone when the value was sent before, else the id and the value.
func appendDict(b []byte, s string, dict *txDict) []byte {
	if s == "" || dict == nil {
		return appendVarint(b, 0)
	}
	if id, ok := dict.ids[s]; ok {
		return appendVarint(appendVarint(b, 1), uint64(id+1))
	}
	if dict.ids == nil {
		dict.ids = make(map[string]int)
	}
	id := dict.next
	if old := dict.vals[id]; old != "" {
		delete(dict.ids, old)
	}
	dict.vals[id], dict.ids[s] = s, id
	dict.next = (id + 1) % dictSize
	inner := appendVarint(nil, uint64(id+1))
	inner = appendVarint(inner, uint64(len(s)))
	inner = append(inner, s...)
	return append(appendVarint(b, uint64(len(inner))), inner...)
}

// DecodeUpdate reads an update message of type typ in layout l.
func DecodeUpdate(typ byte, p []byte, l *Layout, dict *rxDict, now uint32) (*UpdateMsg, error) {
	r := &reader{b: p}
	u := &UpdateMsg{HasID: typ == StktUpdate || typ == StktUpdateTimed, Timed: typ == StktUpdateTimed || typ == StktIncUpdateTimed}
	if u.HasID {
		u.ID = r.u32()
	}
	if u.Timed {
		u.Expire = r.u32()
	}
	switch l.KeyType {
	case KeyStr:
		u.Key = r.bytes(r.varint())
	case KeySInt:
		u.Key = r.bytes(4)
	default:
		u.Key = r.bytes(uint64(l.KeySize))
	}
	for t := range stdTypes {
		if l.Data&(1<<t) == 0 {
			continue
		}
		n := 1
		if stdTypes[t].array {
			n = l.Elems[t]
		}
		for i := 0; i < n && r.err == nil; i++ {
			v := stick.Value{Type: stick.DataType(t), Idx: i}
			if err := readValue(r, stdTypes[t].std, &v, dict, now); err != nil {
				return nil, err
			}
			if !stdTypes[t].local {
				u.Values = append(u.Values, v)
			}
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("update: %w", r.err)
	}
	return u, nil
}

// readValue reads one element into v.
func readValue(r *reader, s std, v *stick.Value, dict *rxDict, now uint32) error {
	switch s {
	case stdSint:
		v.Num = uint64(uint32(int32(r.varint())))
	case stdUint:
		v.Num = uint64(uint32(r.varint()))
	case stdUll:
		v.Num = r.varint()
	case stdFrqp:
		age := r.varint()
		v.Freq = stick.Freq{Tick: (now - uint32(age)) &^ 1, Curr: uint32(r.varint()), Prev: uint32(r.varint())}
	case stdDict:
		return readDict(r, v, dict)
	}
	return nil
}

// readDict reads a dictionary-cached string.
func readDict(r *reader, v *stick.Value, dict *rxDict) error {
	n := r.varint()
	if n == 0 || r.err != nil {
		return nil
	}
	sub := &reader{b: r.bytes(n)}
	if r.err != nil {
		return nil
	}
	id := sub.varint()
	if sub.err != nil || id == 0 || id > dictSize {
		return fmt.Errorf("update: dictionary id %d out of 1..%d", id, dictSize)
	}
	if len(sub.b) == 0 {
		v.Str = dict[id-1]
		return nil
	}
	s := sub.bytes(sub.varint())
	if sub.err != nil || len(sub.b) != 0 {
		return fmt.Errorf("update: malformed dictionary entry %d", id)
	}
	dict[id-1] = string(s)
	v.Str = dict[id-1]
	return nil
}
