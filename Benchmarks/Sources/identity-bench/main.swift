print("identity-bench: filled by the identities issue")
