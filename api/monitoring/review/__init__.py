"""The review inbox (grouped messages) and the reviewer's actions on the knowledge base."""
