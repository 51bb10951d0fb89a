#include "fit_file.h"

#include <QtEndian>

namespace {

// The CRC of the FIT SDK (nibble table).
quint16 fitCrc(const QByteArray &data)
{
    static const quint16 table[16] = {0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
                                      0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400};
    quint16 crc = 0;
    for (const char c : data) {
        const quint8 byte = quint8(c);
        quint16 tmp = table[crc & 0xF];
        crc = (crc >> 4) & 0x0FFF;
        crc = crc ^ tmp ^ table[byte & 0xF];
        tmp = table[crc & 0xF];
        crc = (crc >> 4) & 0x0FFF;
        crc = crc ^ tmp ^ table[(byte >> 4) & 0xF];
    }
    return crc;
}

void appendLe16(QByteArray &out, quint16 v)
{
    char b[2];
    qToLittleEndian(v, b);
    out.append(b, 2);
}

void appendLe32(QByteArray &out, quint32 v)
{
    char b[4];
    qToLittleEndian(v, b);
    out.append(b, 4);
}

} // namespace

QByteArray makeFitFile(quint32 serialNumber)
{
    QByteArray records;
    // Definition message, local type 0 → global message 0 (file_id), little endian.
    records.append(char(0x40));
    records.append(char(0)); // reserved
    records.append(char(0)); // architecture: little endian
    appendLe16(records, 0);  // global message number: file_id
    records.append(char(5)); // fields
    const char fields[5][3] = {
        {0, 1, char(0x00)},    // type: enum
        {1, 2, char(0x84)},    // manufacturer: uint16
        {2, 2, char(0x84)},    // product: uint16
        {3, 4, char(0x8C)},    // serial_number: uint32z
        {4, 4, char(0x86)},    // time_created: uint32
    };
    for (const auto &f : fields)
        records.append(f, 3);
    // Data message, local type 0.
    records.append(char(0x00));
    records.append(char(4));         // type: activity
    appendLe16(records, 255);        // manufacturer: development
    appendLe16(records, 1);          // product
    appendLe32(records, serialNumber);
    appendLe32(records, 1100000000); // time_created, seconds since 1989-12-31
    QByteArray header;
    header.append(char(14));   // header size
    header.append(char(0x20)); // protocol 2.0
    appendLe16(header, 2132);  // profile version 21.32
    appendLe32(header, quint32(records.size()));
    header.append(".FIT", 4);
    appendLe16(header, fitCrc(header));

    QByteArray file = header + records;
    appendLe16(file, fitCrc(file));
    return file;
}
