package sample

import (
	"fmt"
	"sync"
	"testing"
)

// TestMapRefLiveAcrossKinds: a change through the reference reaches
// every table compiled from the file (here map_str and map_beg), and an
// entry that does not compile for one of them changes nothing.
func TestMapRefLiveAcrossKinds(t *testing.T) {
	o := &Options{Maps: map[string][]byte{"m": []byte("/a A\n")}}
	str, err := loadMap(o, "m", mapStr, stStr)
	if err != nil {
		t.Fatal(err)
	}
	beg, _ := loadMap(o, "m", mapBeg, stStr)
	num, _ := loadMap(o, "m", mapStr, stStr)
	if num != str {
		t.Fatal("the same file, kind and type are not shared")
	}
	look := func(m *mapTable, in string) string {
		v := smpVal{t: stStr, s: []byte(in)}
		if e := m.lookup(&Ctx{}, &v); e != nil {
			return string(e.val)
		}
		return "none"
	}
	ref := o.Refs.Find("m")
	if err := ref.Add([][2]string{{"/b", "B"}}); err != nil {
		t.Fatal(err)
	}
	if look(str, "/b") != "B" || look(beg, "/b/x") != "B" {
		t.Fatalf("add not seen: %s %s", look(str, "/b"), look(beg, "/b/x"))
	}
	ints, err := loadMap(o, "m", mapInt, stStr)
	if err == nil || ints != nil {
		t.Fatalf("an int table over string keys compiled: %v", err)
	}
	ref.Set("#0", "A2")
	ref.Del("/b")
	if look(str, "/a") != "A2" || look(str, "/b") != "none" || ref.entryCount() != 1 {
		t.Fatalf("set/del: %s %s %d", look(str, "/a"), look(str, "/b"), ref.entryCount())
	}
}

// entryCount counts the entries (test helper).
func (ref *MapRef) entryCount() int { return len(ref.Entries()) }

// TestMapRefConcurrent: lookups run while the map changes (race
// detector on), and each sees a whole version.
func TestMapRefConcurrent(t *testing.T) {
	o := &Options{Maps: map[string][]byte{"m": []byte("k0 v0\n")}}
	m, err := loadMap(o, "m", mapStr, stStr)
	if err != nil {
		t.Fatal(err)
	}
	ref := o.Refs.Find("#0")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				v := smpVal{t: stStr, s: []byte("k0")}
				if e := m.lookup(&Ctx{}, &v); e == nil || string(e.val) != "v0" {
					t.Error("k0 vanished during changes")
					return
				}
			}
		}()
	}
	for i := 1; i < 200; i++ {
		k := fmt.Sprintf("k%d", i)
		ref.Add([][2]string{{k, "x"}})
		if i%2 == 0 {
			ref.Del(k)
		}
	}
	close(stop)
	wg.Wait()
}
