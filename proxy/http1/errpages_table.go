package http1

// errorPage is one of HAProxy 2.6's built-in error pages (http_err_msgs in
// its src/http.c), checked byte for byte against Debian's haproxy 2.6.12.
type errorPage struct {
	status int
	reason string
	body   string
}

// errorPages lists the built-in pages.
var errorPages = [...]errorPage{
	{200, "OK", "<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n"},
	{400, "Bad request", "<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n"},
	{401, "Unauthorized", "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"},
	{403, "Forbidden", "<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n"},
	{404, "Not Found", "<html><body><h1>404 Not Found</h1>\nThe resource could not be found.\n</body></html>\n"},
	{405, "Method Not Allowed", "<html><body><h1>405 Method Not Allowed</h1>\nA request was made of a resource using a request method not supported by that resource\n</body></html>\n"},
	{407, "Unauthorized", "<html><body><h1>407 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"},
	{408, "Request Time-out", "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n"},
	{410, "Gone", "<html><body><h1>410 Gone</h1>\nThe resource is no longer available and will not be available again.\n</body></html>\n"},
	{413, "Payload Too Large", "<html><body><h1>413 Payload Too Large</h1>\nThe request entity exceeds the maximum allowed.\n</body></html>\n"},
	{421, "Misdirected Request", "<html><body><h1>421 Misdirected Request</h1>\nRequest sent to a non-authoritative server.\n</body></html>\n"},
	{422, "Unprocessable Content", "<html><body><h1>422 Unprocessable Content</h1>\nThe server cannot process the contained instructions.\n</body></html>\n"},
	{425, "Too Early", "<html><body><h1>425 Too Early</h1>\nYour browser sent early data.\n</body></html>\n"},
	{429, "Too Many Requests", "<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n</body></html>\n"},
	{500, "Internal Server Error", "<html><body><h1>500 Internal Server Error</h1>\nAn internal server error occurred.\n</body></html>\n"},
	{501, "Not Implemented", "<html><body><h1>501 Not Implemented</h1>\n.The server does not support the functionality required to fulfill the request.\n</body></html>\n"},
	{502, "Bad Gateway", "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"},
	{503, "Service Unavailable", "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"},
	{504, "Gateway Time-out", "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n"},
}
