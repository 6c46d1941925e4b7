package retrieval

import (
	"errors"
	"fmt"
	"nightfloat"
)

// ErrNoContent means nothing has been ingested into the database yet.
var ErrNoContent = errors.New("retrieval: no content has been ingested; run nightfloat ingest")

// EmbedderMismatchError means the stored vectors were made by a different embedder than the
// one searching: comparing them would return confident nonsense.
type EmbedderMismatchError struct {
	StoredID   string
	StoredDims int
	QueryID    string
	QueryDims  int
}

func (e *EmbedderMismatchError) Error() string {
	return fmt.Sprintf("retrieval: content was embedded with %s (dim %d) but the query embedder is %s (dim %d); run nightfloat ingest",
		e.StoredID, e.StoredDims, e.QueryID, e.QueryDims)
}

// UnknownRoleError is a search for a role Nightfloat does not know.
type UnknownRoleError struct{ Role nightfloat.Role }

func (e *UnknownRoleError) Error() string {
	return fmt.Sprintf("retrieval: unknown role %q", e.Role)
}
