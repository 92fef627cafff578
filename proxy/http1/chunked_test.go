package http1

import "testing"

// TestChunkDecode checks that Decode hands over exactly the chunk data,
// whatever the cut between reads.
func TestChunkDecode(t *testing.T) {
	body := "5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\nTrailer: x\r\n\r\nNEXT"
	for cut := 0; cut <= len(body); cut++ {
		var c ChunkScanner
		var got []byte
		data := func(b []byte) { got = append(got, b...) }
		n1, done1, err := c.Decode([]byte(body[:cut]), data)
		if err != nil || done1 && cut < len(body)-4 {
			t.Fatalf("cut %d: first part: %d %v %v", cut, n1, done1, err)
		}
		n2, done2, err := c.Decode([]byte(body[cut:]), data)
		if err != nil || (!done1 && !done2) {
			t.Fatalf("cut %d: second part: %d %v %v", cut, n2, done2, err)
		}
		if string(got) != "hello world!" {
			t.Fatalf("cut %d: data %q", cut, got)
		}
		if !done1 && n1+n2 != len(body)-4 {
			t.Fatalf("cut %d: the body ends at %d, want %d", cut, n1+n2, len(body)-4)
		}
	}
}
