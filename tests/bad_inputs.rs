mod common;
use common::*;

#[test]
fn valid_province_is_accepted() {
    let book = Book::province();
    let r = check_book(&book, "38.xlsx");
    println!("{}", serde_json::to_string_pretty(&r.json).unwrap());
    assert_clean(&r);
}

#[test]
fn valid_ministry_is_accepted() {
    let book = Book::ministry();
    let r = check_book(&book, "bnv.xlsx");
    assert_clean(&r);
}
