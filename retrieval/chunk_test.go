package retrieval_test

import (
	"strconv"
	"strings"
	"testing"

	"nightfloat/retrieval"
)

func TestChunkDocument(t *testing.T) {
	long := strings.Repeat("This sentence is about staying awake on a long night shift. ", 60)
	body := `## Small section
A short paragraph.

Another short one.

- a list item
- another item

## Parent
Intro to the parent.

### Child
Child text here.

## Long section
` + long + `
`
	d, err := retrieval.ParseDocument("x/chunky.md", []byte(docSpec{id: "chunky", title: "Chunky", body: body}.markdown()))
	if err != nil {
		t.Fatal(err)
	}
	chunks := retrieval.ChunkDocument(d)

	t.Run("ids, order and roles", func(t *testing.T) {
		for i, c := range chunks {
			if c.ID != "chunky#"+strconv.Itoa(i) || c.Seq != i || c.DocID != "chunky" {
				t.Errorf("chunk %d: id %q seq %d doc %q", i, c.ID, c.Seq, c.DocID)
			}
			if strings.Join(c.Roles, ",") != "resident,nurse" {
				t.Errorf("chunk %d roles %v", i, c.Roles)
			}
		}
	})
	t.Run("disclaimer is not a chunk", func(t *testing.T) {
		for _, c := range chunks {
			if strings.Contains(c.Text, "Sample content") {
				t.Errorf("disclaimer in %s: %q", c.ID, c.Text)
			}
		}
	})
	t.Run("small paragraphs in a section merge", func(t *testing.T) {
		c := chunks[0]
		if c.Heading != "Chunky > Small section" {
			t.Fatalf("heading %q", c.Heading)
		}
		for _, want := range []string{"A short paragraph.", "Another short one.", "- a list item"} {
			if !strings.Contains(c.Text, want) {
				t.Errorf("first chunk lacks %q: %q", want, c.Text)
			}
		}
	})
	t.Run("heading path nests", func(t *testing.T) {
		var headings []string
		for _, c := range chunks {
			headings = append(headings, c.Heading)
		}
		joined := strings.Join(headings, "|")
		for _, want := range []string{"Chunky > Parent", "Chunky > Parent > Child", "Chunky > Long section"} {
			if !strings.Contains(joined, want) {
				t.Errorf("no chunk headed %q in %v", want, headings)
			}
		}
	})
	t.Run("long paragraph splits at sentences", func(t *testing.T) {
		var n int
		for _, c := range chunks {
			if c.Heading != "Chunky > Long section" {
				continue
			}
			n++
			if w := len(strings.Fields(c.Text)); w > 300 {
				t.Errorf("%s has %d words", c.ID, w)
			}
			if !strings.HasSuffix(c.Text, ".") {
				t.Errorf("%s does not end at a sentence: %q", c.ID, c.Text[len(c.Text)-20:])
			}
		}
		if n < 2 {
			t.Errorf("long section became %d chunks, want it split", n)
		}
	})
}

func TestChunkRealContent(t *testing.T) {
	docs, err := retrieval.LoadDir("../content")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		chunks := retrieval.ChunkDocument(d)
		if len(chunks) == 0 {
			t.Errorf("%s: no chunks", d.ID)
		}
		for _, c := range chunks {
			if !strings.HasPrefix(c.Heading, d.Title) && !strings.Contains(c.Heading, " > ") {
				t.Errorf("%s: heading %q", c.ID, c.Heading)
			}
			if strings.TrimSpace(c.Text) == "" || strings.HasPrefix(c.Text, ">") {
				t.Errorf("%s: bad text %q", c.ID, c.Text)
			}
		}
	}
}
