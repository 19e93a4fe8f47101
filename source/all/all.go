// Package all registers every source family; the bridge imports it for its
// side effect, so the command never names a vendor.
package all

import (
	_ "github.com/floorwatch/floorwatch/source/ami"        // ami://USER@HOST:PORT, amis://
	_ "github.com/floorwatch/floorwatch/source/csvcdr"     // csv:PATH
	_ "github.com/floorwatch/floorwatch/source/queuelog"   // queue-log:PATH
	_ "github.com/floorwatch/floorwatch/source/taskrouter" // taskrouter://ADDR/PATH
)
