/* filled by scripts/gen-proto */
