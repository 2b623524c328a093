"""Fakes at the network edge, shared by tests and benchmarks."""
