"""OFD (GB/T 33190-2016), China's fixed-layout format: see :mod:`gongkai.readers.ofd.reader`."""
