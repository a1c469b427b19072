"""Storage adapters: SQLite stores and the Chroma vector store."""
