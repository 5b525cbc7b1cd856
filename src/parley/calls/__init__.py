"""Telephone calls reported by the phone system (CTI): who is calling, whom it rings for, the
interaction it becomes, and the journal of calls with the missed ones to call back."""
