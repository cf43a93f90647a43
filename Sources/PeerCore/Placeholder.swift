// PeerCore: filled by its issue.
