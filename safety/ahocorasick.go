package safety

// acMatcher is an Aho-Corasick automaton over byte strings, compiled to a
// dense transition table. It reports which of its patterns occur in a text.
type acMatcher struct {
	class   [256]uint8 // byte -> symbol class (0: bytes no pattern uses)
	nclass  int
	next    []int32 // state*nclass + class -> state
	outputs [][]int32
}

func newACMatcher(patterns []string) *acMatcher {
	m := &acMatcher{}
	m.nclass = 1
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if m.class[p[i]] == 0 {
				m.class[p[i]] = uint8(m.nclass)
				m.nclass++
			}
		}
	}
	// Build the trie.
	type node struct {
		child map[uint8]int32
		out   []int32
	}
	nodes := []node{{child: map[uint8]int32{}}}
	for id, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := m.class[p[i]]
			nx, ok := nodes[s].child[c]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, node{child: map[uint8]int32{}})
				nodes[s].child[c] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	// Breadth-first failure links, folded into a dense table.
	n := len(nodes)
	m.next = make([]int32, n*m.nclass)
	m.outputs = make([][]int32, n)
	fail := make([]int32, n)
	queue := make([]int32, 0, n)
	for c := 0; c < m.nclass; c++ {
		if nx, ok := nodes[0].child[uint8(c)]; ok && c != 0 {
			m.next[c] = nx
			fail[nx] = 0
			queue = append(queue, nx)
		}
	}
	m.outputs[0] = nodes[0].out
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.outputs[s] = append(append([]int32(nil), nodes[s].out...), m.outputs[fail[s]]...)
		for c := 0; c < m.nclass; c++ {
			nx, ok := nodes[s].child[uint8(c)]
			if ok && c != 0 {
				fail[nx] = m.next[int(fail[s])*m.nclass+c]
				m.next[int(s)*m.nclass+c] = nx
				queue = append(queue, nx)
			} else {
				m.next[int(s)*m.nclass+c] = m.next[int(fail[s])*m.nclass+c]
			}
		}
	}
	return m
}

// scan calls found for every occurrence of a pattern, with the byte offset
// just after it.
func (m *acMatcher) scan(text string, found func(id int32, end int)) {
	s := int32(0)
	for i := 0; i < len(text); i++ {
		s = m.next[int(s)*m.nclass+int(m.class[text[i]])]
		for _, id := range m.outputs[s] {
			found(id, i+1)
		}
	}
}

// scanUntil calls found for occurrences, as scan does, until found returns
// true; it reports whether it did.
func (m *acMatcher) scanUntil(text string, found func(id int32, end int) bool) bool {
	s := int32(0)
	for i := 0; i < len(text); i++ {
		s = m.next[int(s)*m.nclass+int(m.class[text[i]])]
		for _, id := range m.outputs[s] {
			if found(id, i+1) {
				return true
			}
		}
	}
	return false
}
