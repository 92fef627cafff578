// Command goha is a load balancer and reverse proxy that reads HAProxy's
// configuration language. See the README.
package main

import "os"

func main() { os.Exit(2) }
