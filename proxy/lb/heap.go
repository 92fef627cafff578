package lb

// iheap is a binary min-heap of servers that knows where each server sits,
// so an algorithm can re-key, insert or remove one server in O(log n)
// when an event changes it. less is the algorithm's ordering; it must be a
// strict order (break ties, e.g. by server index) so picks are
// deterministic.
type iheap struct {
	items []*Server
	pos   []int // by Server.idx; -1 when absent
	less  func(a, b *Server) bool
}

func newIHeap(n int, less func(a, b *Server) bool) *iheap {
	h := &iheap{items: make([]*Server, 0, n), pos: make([]int, n), less: less}
	for i := range h.pos {
		h.pos[i] = -1
	}
	return h
}

func (h *iheap) len() int { return len(h.items) }

func (h *iheap) has(s *Server) bool { return h.pos[s.idx] >= 0 }

// best returns the heap position of the best server, or of the best one
// other than avoid when avoid is at the top and another server exists.
// The heap must not be empty.
func (h *iheap) best(avoid *Server) int {
	if avoid == nil || h.items[0] != avoid || len(h.items) == 1 {
		return 0
	}
	// The second best is one of the root's children.
	if len(h.items) > 2 && h.less(h.items[2], h.items[1]) {
		return 2
	}
	return 1
}

func (h *iheap) push(s *Server) {
	h.items = append(h.items, s)
	h.pos[s.idx] = len(h.items) - 1
	h.up(len(h.items) - 1)
}

func (h *iheap) remove(s *Server) {
	i := h.pos[s.idx]
	if i < 0 {
		return
	}
	last := len(h.items) - 1
	if i != last {
		h.swap(i, last)
	}
	h.items[last] = nil
	h.items = h.items[:last]
	h.pos[s.idx] = -1
	if i != last {
		h.fix(i)
	}
}

// fixServer restores the order after s's key changed.
func (h *iheap) fixServer(s *Server) {
	if i := h.pos[s.idx]; i >= 0 {
		h.fix(i)
	}
}

func (h *iheap) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *iheap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.pos[h.items[i].idx] = i
	h.pos[h.items[j].idx] = j
}

func (h *iheap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !h.less(h.items[j], h.items[i]) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

// down sifts i down and reports whether it moved.
func (h *iheap) down(i0 int) bool {
	i, n := i0, len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && h.less(h.items[r], h.items[l]) {
			j = r
		}
		if !h.less(h.items[j], h.items[i]) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}
