// Command train trains the safety package's learned layer from the external
// corpus (../shared/training, never copied into the repository) and the
// project's own labelled cases (evals/cases), and writes the weights
// (safety/model/learned.bin), the model card (docs/model-card.md) and the
// leave-one-source-out table (docs/sources.md).
//
//	go run ./safety/internal/train                       # train, measure, write
//	go run ./safety/internal/train -check                # fail if the committed weights are stale
//	go run ./safety/internal/train -compare              # the linear model against a fastText-style one
//	go run ./safety/internal/train -profile permissive -out /tmp/p.bin -card /tmp/p.md -table /tmp/p-sources.md
//
// Steps, all deterministic: read every labelled row (ambiguous rows are left
// out); run the rules on each; weigh the (source, label) groups so that no
// source dominates (learn.DefaultBalance); for each source, train a model on
// the others and score the source (leave one source out); fit the calibration
// on those out-of-source scores and choose the handoff and review bands on them
// (learn.ChooseBands, never on in-sample fit); train the final model on
// everything; record a checksum of the inputs (corpus bytes, cases, settings)
// in the model. -check recomputes that checksum without training.
//
// It is a build tool: it owns no table and nothing imports it.
package main
