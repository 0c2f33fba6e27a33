"""What readers do to published comments besides writing them: votes, edits and deletions of
their own comments (and, DESIGN.md §2, reports, staff replies and pins)."""
