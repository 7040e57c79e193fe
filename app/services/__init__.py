"""Services hold the rules; they add and flush, the view commits once."""
