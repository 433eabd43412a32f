"""What Kustomize does, in pure Python: transformers, JSON 6902 patches, overlays, builds."""
