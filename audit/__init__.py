"""Trust: the change history of every register, optimistic locking of change forms and the
security log (logins, logouts, failures, refused access)."""
