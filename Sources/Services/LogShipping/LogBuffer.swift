import NIOCore

/// The shipper's bounded FIFO of records waiting to be sent, with its drop accounting.
///
/// Not thread-safe on its own: `LogShipper` keeps it behind a `Mutex`, and every operation is O(1) or O(batch).
struct LogBuffer {
    /// The most records held at once; a record arriving when the buffer is full is dropped.
    let capacity: Int
    private var records: CircularBuffer<ShippedLogRecord>
    /// Every record dropped so far (buffer full, or no room to put a failed batch back).
    private(set) var droppedTotal = 0
    /// Drops not yet reported to LogLama.
    private(set) var unreportedDrops = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a log buffer needs room for at least one record")
        self.capacity = capacity
        records = CircularBuffer(initialCapacity: min(capacity, 1024))
    }

    var count: Int { records.count }

    /// Adds `record` at the back; returns `false` (and counts a drop) when the buffer is full.
    mutating func append(_ record: ShippedLogRecord) -> Bool {
        guard records.count < capacity else {
            drop(1)
            return false
        }
        records.append(record)
        return true
    }

    /// Removes and returns up to `limit` of the oldest records.
    mutating func takeBatch(limit: Int) -> [ShippedLogRecord] {
        let n = min(limit, records.count)
        guard n > 0 else { return [] }
        let batch = Array(records.prefix(n))
        records.removeFirst(n)
        return batch
    }

    /// Puts a batch that could not be sent back at the front, in order, as far as there is room; the oldest
    /// records of the batch that do not fit are dropped.
    mutating func putBack(_ batch: [ShippedLogRecord]) {
        let room = capacity - records.count
        let kept = batch.suffix(max(0, room))
        drop(batch.count - kept.count)
        records.prepend(contentsOf: kept)
    }

    /// Counts `n` records as dropped (and to be reported).
    mutating func drop(_ n: Int) {
        guard n > 0 else { return }
        droppedTotal += n
        unreportedDrops += n
    }

    /// Takes the number of drops to report in the next batch, leaving none unreported.
    mutating func takeDropReport() -> Int {
        defer { unreportedDrops = 0 }
        return unreportedDrops
    }

    /// Returns a drop report whose batch was not delivered, so the next batch reports it.
    mutating func restoreDropReport(_ n: Int) {
        unreportedDrops += n
    }
}

extension CircularBuffer {
    fileprivate mutating func prepend(contentsOf elements: some BidirectionalCollection<Element>) {
        for element in elements.reversed() { prepend(element) }
    }
}
