"""The web channel: a FastAPI JSON API and a chat page served by the app itself (no CDN)."""
