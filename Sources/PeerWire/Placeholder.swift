// PeerWire: filled by its issue.
