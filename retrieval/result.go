package retrieval

// Result is one retrieved chunk of vetted content, as the assistant cites it.
type Result struct {
	ChunkID    string  `json:"chunk_id"` // stable: "<doc id>#<n>"
	DocID      string  `json:"doc_id"`
	Title      string  `json:"title"`
	Heading    string  `json:"heading"` // heading path inside the document, "A > B"
	Text       string  `json:"text"`
	Score      float64 `json:"score"`       // fused relevance, higher is better
	ReviewedBy string  `json:"reviewed_by"` // from the document's front matter
	ReviewedOn string  `json:"reviewed_on"` // a date, or "pending"
	Status     string  `json:"status"`      // approved or draft
}
