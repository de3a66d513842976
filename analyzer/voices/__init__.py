"""Recognising voices across meetings: cosine similarity, speech-weighted profiles and the one-to-one
assignment of a meeting's speakers to a group's people (numpy and scipy; no model imports)."""
