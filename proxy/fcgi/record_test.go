package fcgi

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestPairsRoundTrip(t *testing.T) {
	long := strings.Repeat("v", 300)
	b := AppendPair(nil, "A", "")
	b = AppendPair(b, "NAME", long)
	b = AppendPair(b, strings.Repeat("n", 200), "x")
	ps, err := ParsePairs(b)
	if err != nil || len(ps) != 3 || ps[0] != (Pair{"A", ""}) || ps[1].Value != long || len(ps[2].Name) != 200 {
		t.Fatalf("got %v, %v", ps, err)
	}
	if b[len(AppendPair(nil, "A", ""))+1]&0x80 == 0 {
		t.Errorf("a 300-byte value must have a 4-byte length")
	}
	for _, bad := range [][]byte{{5}, {1, 1, 'a'}, {0x80, 0, 0}, {0x80, 0, 0, 9, 0}} {
		if _, err := ParsePairs(bad); !errors.Is(err, ErrProtocol) {
			t.Errorf("ParsePairs(%v): %v, want ErrProtocol", bad, err)
		}
	}
}

func TestRecordSplitAndRead(t *testing.T) {
	content := bytes.Repeat([]byte("z"), MaxContent+10)
	b := AppendRecord(nil, TypeStdin, 7, content)
	r := bytes.NewReader(b)
	var buf []byte
	var got []byte
	for i := 0; i < 2; i++ {
		rec, nb, err := ReadRecord(r, buf)
		buf = nb
		if err != nil || rec.Type != TypeStdin || rec.ID != 7 {
			t.Fatalf("record %d: %+v %v", i, rec.Header, err)
		}
		got = append(got, rec.Content...)
	}
	if !bytes.Equal(got, content) {
		t.Fatalf("split content differs: %d bytes", len(got))
	}
	if _, _, err := ReadRecord(r, buf); err != io.EOF {
		t.Fatalf("after the records: %v, want EOF", err)
	}
	if _, _, err := ReadRecord(bytes.NewReader([]byte{2, 6, 0, 1, 0, 0, 0, 0}), nil); !errors.Is(err, ErrProtocol) {
		t.Errorf("version 2: %v, want ErrProtocol", err)
	}
	if _, _, err := ReadRecord(bytes.NewReader([]byte{1, 6, 0, 1, 0, 9, 0, 0, 'a'}), nil); err != io.ErrUnexpectedEOF {
		t.Errorf("cut content: %v, want ErrUnexpectedEOF", err)
	}
	if _, err := ParseEndRequest(make([]byte, 5)); !errors.Is(err, ErrProtocol) {
		t.Errorf("5-byte END_REQUEST: %v", err)
	}
	if er, err := ParseEndRequest(append([]byte{0, 0, 0, 3, 2}, make([]byte, 100)...)); err != nil || er.AppStatus != 3 || er.ProtocolStatus != 2 {
		t.Errorf("oversized END_REQUEST: %+v %v, want status 3/2 read", er, err)
	}
}
