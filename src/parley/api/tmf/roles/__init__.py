"""TMF672 User Roles & Permissions v4: userRole and permission."""
