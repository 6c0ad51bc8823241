"""What the stages share: argument checks, safe writes, formatting, table reading, workbooks, the method registry."""
