"""Back office: the handover queue (chats passed to staff) and citizens' tickets (phản ánh)."""
