package peers

import (
	"encoding/binary"
	"fmt"

	"github.com/goha/goha/proxy/stick"
)

// wireKeyTypes maps a table's `type` to its wire code.
var wireKeyTypes = map[string]uint64{"integer": KeySInt, "ip": KeyIPv4, "ipv6": KeyIPv6, "string": KeyStr, "binary": KeyBin}

// localLayout describes how a local table's entries are sent.
func localLayout(t *stick.Table) (*Layout, *TableDef, error) {
	c := t.Config()
	kt, ok := wireKeyTypes[c.Type]
	if !ok {
		return nil, nil, fmt.Errorf("peers: table %q: key type %q", c.Name, c.Type)
	}
	l := &Layout{KeyType: kt, KeySize: c.KeySize}
	name := c.PeersName
	if name == "" {
		name = c.Name
	}
	d := &TableDef{Name: name, KeyType: kt, KeySize: uint64(c.KeySize), Expire: uint64(c.Expire.Milliseconds())}
	for _, st := range c.Store {
		dt, ok := stick.ParseDataType(st.Name)
		if !ok || int(dt) >= len(stdTypes) {
			return nil, nil, fmt.Errorf("peers: table %q: data type %q", c.Name, st.Name)
		}
		l.Data |= 1 << dt
		l.Elems[dt] = max(st.ArrayLen, 1)
		d.Params[dt] = DataParams{Elems: uint64(st.ArrayLen), Period: uint64(st.Period.Milliseconds())}
	}
	d.Data = l.Data
	return l, d, nil
}

// remoteLayout is the layout of a peer's updates for a table, from its
// definition, once the key matches the local table's.
func remoteLayout(d *TableDef, local *Layout) (*Layout, error) {
	if d.KeyType != local.KeyType || d.KeySize != uint64(local.KeySize) {
		return nil, fmt.Errorf("table %q: key type %d size %d, local table has type %d size %d",
			d.Name, d.KeyType, d.KeySize, local.KeyType, local.KeySize)
	}
	l := &Layout{KeyType: d.KeyType, KeySize: local.KeySize, Data: d.Data}
	for t := range stdTypes {
		l.Elems[t] = 1
		if stdTypes[t].array {
			l.Elems[t] = int(d.Params[t].Elems)
		}
	}
	return l, nil
}

// wireKey turns a table key into its wire form (integers go big-endian).
func wireKey(l *Layout, k stick.Key) []byte {
	b := []byte(k)
	if l.KeyType == KeySInt && len(b) == 4 {
		v := binary.LittleEndian.Uint32(b)
		b = binary.BigEndian.AppendUint32(nil, v)
	}
	return b
}

// tableKey turns a wire key into the table's key.
func tableKey(t *stick.Table, l *Layout, b []byte) (stick.Key, error) {
	switch l.KeyType {
	case KeySInt:
		return t.KeyInt(int64(binary.BigEndian.Uint32(b)))
	case KeyStr:
		return t.KeyString(string(b)), nil
	case KeyBin:
		return t.KeyBytes(b), nil
	}
	if len(b) != l.KeySize {
		return "", fmt.Errorf("key of %d bytes, table has %d", len(b), l.KeySize)
	}
	return stick.Key(b), nil
}
