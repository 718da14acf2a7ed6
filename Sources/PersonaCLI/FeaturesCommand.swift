import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

/// `persona features`: customer feature tables, one per period end, from an order log.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Build customer feature tables (recency, frequency, monetary value, tenure) from an order log.",
        discussion: """
        Reads an order log (one row per order: customer, date, amount and optionally a quantity) \
        in one streaming pass and writes one customer CSV per month, quarter or year end, from \
        the first order's period to the last order's (or to --as-of), named \
        customers-YYYY-MM-DD.csv after the period end. Every customer who ordered on or before \
        a period end is in that period's table. The tables train as they are: \
        persona train --data DIR/customers-2026-03-31.csv --k 4. Columns: Docs/Features.md.
        """
    )

    @Option(help: "Order log CSV (one row per order).")
    var orders: String

    @Option(help: "Column of the customer identifier.")
    var customerColumn: String

    @Option(help: "Column of the order date.")
    var dateColumn: String

    @Option(help: "Column of the order amount.")
    var amountColumn: String

    @Option(help: "Column of the units ordered (adds online_units_period and online_units_total).")
    var quantityColumn: String?

    @Option(help: "Period of the tables: month, quarter or year.")
    var period: FeaturePeriod

    @Option(help: "Last day to consider (YYYY-MM-DD): later orders are ignored and the last table is taken on this day.")
    var asOf: String?

    @Option(help: "How dates are written: iso (default; YYYY-MM-DD, optionally with a time), day-first (DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY) or month-first (MM/DD/YYYY).")
    var dateFormat: OrderDateFormat = .iso

    @OptionGroup(title: "Order log format") var format: CustomerFormatOptions

    @Option(help: "Directory for the customer tables.")
    var outDir: String

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        var cutoff: CalendarDate? = nil
        if let asOf {
            do { cutoff = try OrderDateFormat.iso.parse(asOf) } catch {
                throw CommandFailure("--as-of '\(asOf)': \(error.description)")
            }
        }
        try CommandSupport.checkWritableDirectory(outDir)
        let start = Date()
        var builder = CustomerFeatureBuilder(period: period, asOf: cutoff, countsUnits: quantityColumn != nil)
        let columns = OrderLogColumns(customer: customerColumn, date: dateColumn, amount: amountColumn,
                                      quantity: quantityColumn, dateFormat: dateFormat)
        let meter = progress.rowMeter()
        meter.begin("reading \(orders)")
        do {
            try OrderLog.read(URL(fileURLWithPath: orders), displayName: orders, columns: columns, dialect: format.dialect,
                              into: &builder, rowsRead: meter.rows)
        } catch {
            throw CommandFailure(error.description)
        }
        guard builder.orderCount > 0 else {
            if let cutoff, builder.ordersAfterAsOf > 0 {
                throw CommandFailure("\(orders): no orders on or before --as-of \(cutoff) (\(builder.ordersAfterAsOf) after it)")
            }
            throw CommandFailure("\(orders): no orders")
        }
        let tables = builder.tables()
        progress.say("\(builder.orderCount) orders of \(builder.customers.count) customers read in \(CommandSupport.elapsed(since: start))"
                     + (builder.ordersAfterAsOf > 0 ? "; \(builder.ordersAfterAsOf) after --as-of ignored" : ""))
        let directory = URL(fileURLWithPath: outDir)
        try CommandSupport.checkDistinct(inputs: [orders], outputs: tables.map { directory.appendingPathComponent(FeatureTableFile.fileName(for: $0.periodEnd)).path })
        var outputs = OutputSet()
        do {
            for table in tables {
                try outputs.stage(FeatureTableFile.render(table, units: quantityColumn != nil),
                                  at: directory.appendingPathComponent(FeatureTableFile.fileName(for: table.periodEnd)))
            }
            try outputs.commit()
        } catch {
            throw CommandFailure(error.description)
        }
        progress.say("wrote \(tables.count) tables (\(tables.first!.periodEnd) to \(tables.last!.periodEnd)) into \(outDir)")
    }
}

extension FeaturePeriod: ExpressibleByArgument {}
extension OrderDateFormat: ExpressibleByArgument {}
