import RhetorScoring

/// Renders batches of articles and hands each batch's output, in input order, to `deliver`.
/// With two or more threads the articles are rendered on worker threads that live for the run
/// (`BlockQueue`, one article a block): batch k+1 is queued as soon as it is read, and batch k
/// is delivered after, while k+1 renders. With one thread each batch is rendered article by
/// article on the caller's thread and delivered.
public final class QuoteBatchRunner {
    public let pipeline: QuotePipeline
    private let deliver: ([UInt8], QuotePipeline.Counts) -> Bool
    private let queue: BlockQueue<QuotePipeline.ArticleOutput>?
    private let workers: [QuotePipeline.ArticleWorker]

    /// `deliver` gets a batch's bytes and counts and returns false when the run must stop
    /// (`--strict` met a failed article).
    public init(pipeline: QuotePipeline, deliver: @escaping ([UInt8], QuotePipeline.Counts) -> Bool) {
        self.pipeline = pipeline
        self.deliver = deliver
        workers = (0..<pipeline.threads).map { _ in QuotePipeline.ArticleWorker() }
        queue = pipeline.threads > 1 ? BlockQueue(workers: pipeline.threads) : nil
    }

    deinit { queue?.shutdown() }

    /// Queues a batch and delivers the one before it; false when the run must stop (the batch
    /// is then rendered to the end and dropped).
    public func add(_ batch: [ArticleRecord]) -> Bool {
        let pipeline = self.pipeline, workers = self.workers
        guard let queue else {
            return deliver(batch.withUnsafeBufferPointer { records in
                (0..<records.count).map { pipeline.renderArticle(records.baseAddress! + $0, worker: workers[0]) }
            })
        }
        let job = BlockQueue<QuotePipeline.ArticleOutput>.Job(blocks: batch.count) { worker, i in
            batch.withUnsafeBufferPointer { pipeline.renderArticle($0.baseAddress! + i, worker: workers[worker]) }
        }
        return queue.handOver(job, deliver: deliver)
    }

    /// Delivers the batch in flight, if any; returns what `deliver` returned (true when none).
    @discardableResult
    public func finish() -> Bool {
        queue?.finish(deliver) ?? true
    }

    /// Joins a rendered batch's articles and hands the bytes and counts on.
    private func deliver(_ outputs: [QuotePipeline.ArticleOutput]) -> Bool {
        var counts = QuotePipeline.Counts()
        let bytes = pipeline.assemble(outputs, counts: &counts)
        return deliver(bytes, counts)
    }
}
