"""What the HTTP API speaks: request and response bodies, and who is calling."""
