"""The API's request and answer shapes: one module per resource, and `common` for the field
types and rules they share (what PostgreSQL cannot hold is refused here, as a 422 naming the field)."""
