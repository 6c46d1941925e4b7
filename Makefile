# The two commands a new user needs. Both set up what they need (PostgreSQL with pgvector,
# Chromium for the browser tests) on a Debian/Ubuntu machine.
.PHONY: run test db-stop

run:
	scripts/run.sh

test:
	scripts/test.sh

db-stop:
	scripts/db.sh stop
