"""What a running node needs beside the rules: failure detection and the failover state machine."""
