// Symbol visibility: the library builds with -fvisibility=hidden and exports only what
// carries CAPINSPECT_API.
#pragma once
#define CAPINSPECT_API __attribute__((visibility("default")))
