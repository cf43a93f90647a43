print("engine-bench: filled by the engine issue")
