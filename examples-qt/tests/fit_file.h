// Minimal but well-formed FIT activity files for upload tests.
#pragma once

#include <QByteArray>

// A FIT file with one file_id message (type activity). Different serial numbers give different
// bytes, which Garmin (and the simulator) treat as different activities.
QByteArray makeFitFile(quint32 serialNumber);
