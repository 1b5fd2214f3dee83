"""The statistical layer: recognizers for person names without a cue word (Chinese: LAC; English and
pinyin: census name lists). Loaded through redaction.recognizers.load_layers()."""
