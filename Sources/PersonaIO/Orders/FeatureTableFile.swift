import PersonaKit

/// The customer feature CSV written for one period end by `persona features`: one row per
/// customer, columns named so that `persona train` reads them without a schema file (the
/// identifier is `customer_id`; every feature is an `online_` attribute).
public enum FeatureTableFile {
    /// The header: `customer_id`, the feature columns, and the units columns when `units`.
    public static func columnNames(units: Bool) -> [String] {
        ["customer_id", "online_recency_days", "online_frequency_period", "online_frequency_total",
         "online_monetary_period", "online_monetary_total", "online_tenure_days",
         "online_average_order_value", "online_mean_days_between_orders"]
            + (units ? ["online_units_period", "online_units_total"] : [])
    }

    /// The file name of a period end's table: `customers-YYYY-MM-DD.csv`.
    public static func fileName(for periodEnd: CalendarDate) -> String { "customers-\(periodEnd).csv" }

    /// The CSV bytes of one table (comma separated, numbers with a decimal point; an empty
    /// cell for a mean gap of a one-order customer).
    /// - Complexity: O(rows).
    public static func render(_ table: CustomerFeatureTable, units: Bool) -> [UInt8] {
        var writer = CSVWriter(header: columnNames(units: units), reservingCapacity: table.rows.count * 80)
        for row in table.rows {
            writer.appendRow { cells in
                cells.cell(row.customer)
                cells.cell(row.recencyDays)
                cells.cell(row.frequencyPeriod)
                cells.cell(row.frequencyTotal)
                cells.cell(row.monetaryPeriod)
                cells.cell(row.monetaryTotal)
                cells.cell(row.tenureDays)
                cells.cell(row.averageOrderValue)
                if let gap = row.meanDaysBetweenOrders { cells.cell(gap) } else { cells.empty() }
                if units {
                    cells.cell(row.unitsPeriod ?? 0)
                    cells.cell(row.unitsTotal ?? 0)
                }
            }
        }
        return writer.bytes
    }
}
