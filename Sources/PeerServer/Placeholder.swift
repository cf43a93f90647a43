// PeerServer: filled by its issue.
