//! Every format round-trips through `Source`, partitions cover every row once, and errors
//! name the file and the line or column.

use std::sync::Arc;

use arrow_array::{Array, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use seismo_core::ColumnKind;
use seismo_io::{Format, ReadError, ReadOptions, Source};

fn batch(rows: usize) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("x", DataType::Float64, true),
        Field::new("c", DataType::Utf8, true),
        Field::new("b", DataType::Boolean, true),
    ]));
    let ids: Vec<i64> = (0..rows as i64).collect();
    let xs: Vec<Option<f64>> = (0..rows)
        .map(|i| (i % 7 != 3).then_some(i as f64 * 0.5))
        .collect();
    let cs: Vec<Option<&str>> = (0..rows)
        .map(|i| (i % 5 != 0).then_some(["a", "b", "c"][i % 3]))
        .collect();
    let bs: Vec<Option<bool>> = (0..rows).map(|i| Some(i % 2 == 0)).collect();
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from(ids)),
            Arc::new(Float64Array::from(xs)),
            Arc::new(StringArray::from(cs)),
            Arc::new(BooleanArray::from(bs)),
        ],
    )
    .unwrap()
}

/// All batches of a source, concatenated column-wise into comparable vectors.
fn read_back(
    path: &std::path::Path,
    options: &ReadOptions,
    partitions: usize,
) -> (usize, Vec<i64>, f64, usize) {
    let source = Source::open(path, options).unwrap();
    let mut ids = Vec::new();
    let (mut x_sum, mut c_nulls) = (0.0, 0);
    for part in source.into_partitions(partitions) {
        for b in part {
            let b = b.unwrap();
            let id = b.column_by_name("id").unwrap();
            let id = arrow_array::cast::AsArray::as_primitive::<arrow_array::types::Int64Type>(
                id.as_ref(),
            );
            ids.extend(id.values().iter().copied());
            let x = b.column_by_name("x").unwrap();
            let x = arrow_array::cast::AsArray::as_primitive::<arrow_array::types::Float64Type>(
                x.as_ref(),
            );
            x_sum += x.iter().flatten().sum::<f64>();
            c_nulls += b.column_by_name("c").unwrap().null_count();
        }
    }
    (ids.len(), ids, x_sum, c_nulls)
}

fn expected(rows: usize) -> (usize, Vec<i64>, f64, usize) {
    let b = batch(rows);
    let x = b.column(1).as_any().downcast_ref::<Float64Array>().unwrap();
    (
        rows,
        (0..rows as i64).collect(),
        x.iter().flatten().sum(),
        b.column(2).null_count(),
    )
}

#[test]
fn every_format_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let data = batch(1000);
    let mut opts = ReadOptions::default();
    opts.batch_size = 128;

    let parquet = dir.path().join("d.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&parquet).unwrap(),
        data.schema(),
        None,
    )
    .unwrap();
    w.write(&data).unwrap();
    w.close().unwrap();

    let arrow_file = dir.path().join("d.arrow");
    let mut w = arrow_ipc::writer::FileWriter::try_new(
        std::fs::File::create(&arrow_file).unwrap(),
        &data.schema(),
    )
    .unwrap();
    w.write(&data).unwrap();
    w.finish().unwrap();

    let arrow_stream = dir.path().join("d.arrows");
    let mut w = arrow_ipc::writer::StreamWriter::try_new(
        std::fs::File::create(&arrow_stream).unwrap(),
        &data.schema(),
    )
    .unwrap();
    w.write(&data).unwrap();
    w.finish().unwrap();

    let ndjson = dir.path().join("d.ndjson");
    let mut w = arrow_json::LineDelimitedWriter::new(std::fs::File::create(&ndjson).unwrap());
    w.write(&data).unwrap();
    w.finish().unwrap();

    let csv = dir.path().join("d.csv");
    let mut w = arrow_csv::Writer::new(std::fs::File::create(&csv).unwrap());
    w.write(&data).unwrap();
    drop(w);

    for (path, format) in [
        (&parquet, Format::Parquet),
        (&arrow_file, Format::ArrowFile),
        (&arrow_stream, Format::ArrowStream),
        (&ndjson, Format::NdJson),
        (&csv, Format::Csv),
    ] {
        let source = Source::open(path, &opts).unwrap();
        assert_eq!(source.format(), format, "{}", path.display());
        // NDJSON objects may omit null keys, so its column order is the order keys first appear.
        let mut kinds: Vec<(String, ColumnKind)> = source
            .schema()
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.kind))
            .collect();
        kinds.sort_by(|a, b| a.0.cmp(&b.0));
        let want = [
            ("b", ColumnKind::Boolean),
            ("c", ColumnKind::Categorical),
            ("id", ColumnKind::Numeric),
            ("x", ColumnKind::Numeric),
        ];
        assert_eq!(kinds, want.map(|(n, k)| (n.to_owned(), k)), "{format}");
        assert_eq!(read_back(path, &opts, 1), expected(1000), "{format}");

        // The same bytes under a name that says nothing are recognised by their content.
        let anonymous = dir.path().join(format!("anon-{format}"));
        std::fs::copy(path, &anonymous).unwrap();
        assert_eq!(
            Source::open(&anonymous, &opts).unwrap().format(),
            format,
            "sniffed {format}"
        );
    }
}

#[test]
fn parquet_partitions_cover_every_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("groups.parquet");
    let data = batch(10_000);
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(999))
        .build();
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        data.schema(),
        Some(props),
    )
    .unwrap();
    w.write(&data).unwrap();
    w.close().unwrap();
    let opts = ReadOptions::default();
    assert_eq!(
        Source::open(&path, &opts).unwrap().size_hint().rows,
        Some(10_000)
    );
    for n in [1, 2, 3, 64] {
        let parts = Source::open(&path, &opts).unwrap().into_partitions(n);
        assert_eq!(parts.len(), n.min(11), "11 row groups");
        let (count, ids, x_sum, c_nulls) = read_back(&path, &opts, n);
        let (want_count, want_ids, want_x, want_nulls) = expected(10_000);
        assert_eq!(
            (count, &ids, c_nulls),
            (want_count, &want_ids, want_nulls),
            "{n} partitions, in order"
        );
        assert!((x_sum - want_x).abs() < 1e-6);
    }
}

#[test]
fn csv_inference_overrides_and_delimiters() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("t.tsv");
    std::fs::write(
        &tsv,
        "a\tb\tc\n1\tx\t2026-01-01T00:00:00Z\n2\tNA\t2026-01-02T00:00:00Z\n",
    )
    .unwrap();
    let source = Source::open(&tsv, &ReadOptions::default()).unwrap();
    let kinds: Vec<_> = source
        .schema()
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("a", ColumnKind::Numeric),
            ("b", ColumnKind::Categorical),
            ("c", ColumnKind::Datetime)
        ]
    );
    let batch = source.into_partitions(1).remove(0).next().unwrap().unwrap();
    assert_eq!(batch.column(1).null_count(), 1, "NA is missing");

    // Integers inferred from a sample are widened, so a fraction further down still reads.
    let late = dir.path().join("late.csv");
    let mut text = String::from("n\n");
    (0..50).for_each(|i| text.push_str(&format!("{i}\n")));
    text.push_str("2.5\n");
    std::fs::write(&late, text).unwrap();
    let mut opts = ReadOptions::default();
    opts.infer_rows = 10;
    let source = Source::open(&late, &opts).unwrap();
    assert_eq!(
        source.arrow_schema().field(0).data_type(),
        &DataType::Float64
    );
    assert!(source.into_partitions(1).remove(0).all(|b| b.is_ok()));

    // An override makes an integer column categorical and parses it as text.
    let mut opts = ReadOptions::default();
    opts.types = vec![("n".into(), ColumnKind::Categorical)];
    let source = Source::open(&late, &opts).unwrap();
    assert_eq!(source.schema().columns[0].kind, ColumnKind::Categorical);
    assert_eq!(source.arrow_schema().field(0).data_type(), &DataType::Utf8);

    let semi = dir.path().join("s.csv");
    std::fs::write(&semi, "a;b\n1;2\n").unwrap();
    let mut opts = ReadOptions::default();
    opts.delimiter = Some(b';');
    assert_eq!(
        Source::open(&semi, &opts).unwrap().schema().columns.len(),
        2
    );
}

#[test]
fn errors_name_the_file_and_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let read_all = |p: &std::path::Path, o: &ReadOptions| -> Result<usize, ReadError> {
        let mut n = 0;
        for part in Source::open(p, o)?.into_partitions(2) {
            for b in part {
                n += b?.num_rows();
            }
        }
        Ok(n)
    };
    let opts = ReadOptions::default();
    let ragged = write("r.csv", "a,b\n1,2\n3,4,5\n");
    let e = read_all(&ragged, &opts).unwrap_err().to_string();
    assert!(e.contains("r.csv") && e.contains("line 3"), "{e}");

    let bad_json = write("j.ndjson", "{\"a\": 1}\n{\"a\": \n");
    let e = read_all(&bad_json, &opts).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}:", bad_json.display())), "{e}");

    let truncated = write("t.arrows", "\u{ff}");
    assert!(read_all(&truncated, &opts).is_err());

    let mut opts = ReadOptions::default();
    opts.types = vec![("zzz".into(), ColumnKind::Numeric)];
    let e = read_all(&write("ok.csv", "a\n1\n"), &opts).unwrap_err();
    assert!(matches!(e, ReadError::UnknownColumn { ref column, .. } if column == "zzz"));

    let header_only = write("h.csv", "a,b\n");
    assert_eq!(
        read_all(&header_only, &ReadOptions::default()).unwrap(),
        0,
        "a header alone is zero rows, not an error"
    );
}
