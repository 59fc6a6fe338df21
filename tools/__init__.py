"""Developer and demo tools: the Doccano test server, simulated annotators, dataset helpers, the demo."""
