"""Benchmarks of whatsapp_async (see README.md)."""
