// Symbol visibility: the library builds with -fvisibility=hidden and exports only what
// carries CAPINSPECT_API (lib/libcapinspect.map then keeps only namespace capinspect).
// Every public header includes this one, so the language check below guards them all:
// the headers are C++17 and mean the same in every later standard, so that a program
// built with any -std= from c++17 on sees the layout the library was built with.
#pragma once
#if !defined(__cplusplus) || __cplusplus < 201703L
#error "the capinspect headers need C++17 or later (-std=c++17)"
#endif
#define CAPINSPECT_API __attribute__((visibility("default")))
