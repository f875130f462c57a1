//! Compile-time helpers of `shanyrak-store`; used by that crate only.
//!
//! - `#[backend]` on the `Backend` trait and `#[queries]` on every `impl<DB: Backend> Repo<DB>`
//!   block state the sqlx bounds the SQL needs (which Rust types a backend binds and
//!   reads). Rust does not carry a trait's `where` clauses to the places that use it, so
//!   the one list below is stated on the trait (where the compiler checks that SQLite and
//!   PostgreSQL meet it) and again on each block (where the queries rely on it).
//! - `#[queries]` also writes the `Store` method of each `pub` (or `pub(crate)`) method with a
//!   `&self` receiver in the block: same name, documentation and signature, forwarded to
//!   the backend's repo. Narrower methods stay inside the repo.
//!
//! Items with these attributes are ordinary Rust that rustfmt formats; only the bounds and
//! the forwarders are generated.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::{
    FnArg, GenericParam, Ident, ImplItem, ItemImpl, ItemTrait, Pat, Visibility, WherePredicate,
    parse_macro_input, parse_quote,
};

/// The bounds on a backend `db` that the queries need.
fn bounds(db: &syn::Type) -> Vec<WherePredicate> {
    vec![
        parse_quote!(#db: ::sqlx::Database),
        parse_quote!(for<'c> &'c mut <#db as ::sqlx::Database>::Connection: ::sqlx::Executor<'c, Database = #db>),
        parse_quote!(for<'q> <#db as ::sqlx::Database>::Arguments<'q>: ::sqlx::IntoArguments<'q, #db>),
        parse_quote!(for<'q> ::uuid::Uuid: ::sqlx::Encode<'q, #db> + ::sqlx::Decode<'q, #db> + ::sqlx::Type<#db>),
        parse_quote!(for<'q> ::std::string::String: ::sqlx::Encode<'q, #db> + ::sqlx::Decode<'q, #db> + ::sqlx::Type<#db>),
        parse_quote!(for<'q> i64: ::sqlx::Encode<'q, #db> + ::sqlx::Decode<'q, #db> + ::sqlx::Type<#db>),
        parse_quote!(for<'q> i32: ::sqlx::Encode<'q, #db> + ::sqlx::Decode<'q, #db> + ::sqlx::Type<#db>),
        parse_quote!(for<'q> f64: ::sqlx::Encode<'q, #db> + ::sqlx::Decode<'q, #db> + ::sqlx::Type<#db>),
        parse_quote!(for<'q> bool: ::sqlx::Encode<'q, #db> + ::sqlx::Decode<'q, #db> + ::sqlx::Type<#db>),
        parse_quote!(for<'q> ::std::vec::Vec<u8>: ::sqlx::Encode<'q, #db> + ::sqlx::Decode<'q, #db> + ::sqlx::Type<#db>),
        parse_quote!(for<'q> ::chrono::DateTime<::chrono::Utc>: ::sqlx::Encode<'q, #db> + ::sqlx::Decode<'q, #db> + ::sqlx::Type<#db>),
        parse_quote!(for<'q> ::chrono::NaiveDate: ::sqlx::Encode<'q, #db> + ::sqlx::Decode<'q, #db> + ::sqlx::Type<#db>),
        parse_quote!(for<'q> ::sqlx::types::Json<::serde_json::Value>: ::sqlx::Encode<'q, #db> + ::sqlx::Decode<'q, #db> + ::sqlx::Type<#db>),
        parse_quote!(for<'q> ::std::option::Option<::uuid::Uuid>: ::sqlx::Encode<'q, #db>),
        parse_quote!(for<'q> ::std::option::Option<::std::string::String>: ::sqlx::Encode<'q, #db>),
        parse_quote!(for<'q> ::std::option::Option<i32>: ::sqlx::Encode<'q, #db>),
        parse_quote!(for<'q> ::std::option::Option<i64>: ::sqlx::Encode<'q, #db>),
        parse_quote!(for<'q> ::std::option::Option<f64>: ::sqlx::Encode<'q, #db>),
        parse_quote!(for<'q> ::std::option::Option<::chrono::DateTime<::chrono::Utc>>: ::sqlx::Encode<'q, #db>),
        parse_quote!(for<'q> ::std::option::Option<::chrono::NaiveDate>: ::sqlx::Encode<'q, #db>),
        parse_quote!(for<'q> ::std::option::Option<::sqlx::types::Json<::serde_json::Value>>: ::sqlx::Encode<'q, #db>),
        parse_quote!(for<'a> &'a str: ::sqlx::ColumnIndex<<#db as ::sqlx::Database>::Row>),
        parse_quote!(usize: ::sqlx::ColumnIndex<<#db as ::sqlx::Database>::Row>),
    ]
}

/// On the `Backend` trait: states the bounds on `Self`, so that each backend's `impl` is
/// checked against them.
#[proc_macro_attribute]
pub fn backend(_args: TokenStream, item: TokenStream) -> TokenStream {
    let mut item = parse_macro_input!(item as ItemTrait);
    let predicates = bounds(&parse_quote!(Self));
    item.generics
        .make_where_clause()
        .predicates
        .extend(predicates);
    quote!(#item).into()
}

/// On an `impl<DB: Backend> Repo<DB>` block: adds the bounds and writes the `Store`
/// forwarders (see the crate documentation).
#[proc_macro_attribute]
pub fn queries(_args: TokenStream, item: TokenStream) -> TokenStream {
    let mut item = parse_macro_input!(item as ItemImpl);
    let db = item.generics.params.iter().find_map(|param| match param {
        GenericParam::Type(ty) => Some(ty.ident.clone()),
        _ => None,
    });
    let Some(db) = db else {
        return syn::Error::new_spanned(
            &item.self_ty,
            "#[queries] needs `impl<DB: Backend> Repo<DB>`",
        )
        .to_compile_error()
        .into();
    };
    let predicates = bounds(&parse_quote!(#db));
    item.generics
        .make_where_clause()
        .predicates
        .extend(predicates);
    let mut forwarders = Vec::new();
    for member in &item.items {
        let ImplItem::Fn(method) = member else {
            continue;
        };
        match forwarder(method) {
            Ok(Some(tokens)) => forwarders.push(tokens),
            Ok(None) => {}
            Err(error) => forwarders.push(error.to_compile_error()),
        }
    }
    quote! {
        #item

        impl crate::Store {
            #(#forwarders)*
        }
    }
    .into()
}

/// The `Store` method that forwards to `method`, or `None` for a method the repo keeps.
fn forwarder(method: &syn::ImplItemFn) -> syn::Result<Option<TokenStream2>> {
    let exported = match &method.vis {
        Visibility::Public(_) => true,
        Visibility::Restricted(r) => r.in_token.is_none() && r.path.is_ident("crate"),
        Visibility::Inherited => false,
    };
    if !exported || method.sig.receiver().is_none() {
        return Ok(None);
    }
    let vis = &method.vis;
    let attrs = method.attrs.iter().filter(|a| {
        a.path().is_ident("doc") || a.path().is_ident("allow") || a.path().is_ident("expect")
    });
    let mut sig = method.sig.clone();
    let mut args = Vec::new();
    for input in sig.inputs.iter_mut() {
        let FnArg::Typed(typed) = input else {
            continue;
        };
        let Pat::Ident(pat) = typed.pat.as_mut() else {
            return Err(syn::Error::new_spanned(
                &typed.pat,
                "a Store method's parameters must be plain names",
            ));
        };
        // `mut` belongs to the repo's body, not to the forwarder.
        pat.mutability = None;
        args.push(pat.ident.clone());
    }
    let name = &sig.ident;
    let turbofish: Vec<&Ident> = sig.generics.type_params().map(|p| &p.ident).collect();
    let turbofish = if turbofish.is_empty() {
        quote!()
    } else {
        quote!(::<#(#turbofish),*>)
    };
    let wait = sig.asyncness.map(|_| quote!(.await));
    let repo = Ident::new("repo", Span::mixed_site());
    Ok(Some(quote! {
        #(#attrs)*
        #vis #sig {
            match self {
                crate::Store::Sqlite(#repo) => #repo.#name #turbofish (#(#args),*) #wait,
                crate::Store::Postgres(#repo) => #repo.#name #turbofish (#(#args),*) #wait,
            }
        }
    }))
}
